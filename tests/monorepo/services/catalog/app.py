from flask import Flask

from prices import price

app = Flask(__name__)


@app.get("/")
def index():
    return {"service": "catalog", "price": price(123456)}

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello from Flask, built by dslim!\n"


if __name__ == "__main__":
    # Development server only; the container runs gunicorn.
    app.run(host="0.0.0.0", port=8000)

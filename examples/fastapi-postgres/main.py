import psycopg2
import psycopg2.extensions
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root():
    # libpq_version() calls into libpq, so this only works when libpq5 is
    # installed in the runtime image. No database connection is needed.
    return {
        "message": "Hello from FastAPI, built by dslim!",
        "psycopg2": psycopg2.__version__,
        "libpq_version": psycopg2.extensions.libpq_version(),
    }

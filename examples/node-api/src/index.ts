import express, { Request, Response } from "express";

const app = express();
const port = Number(process.env.PORT || 3000);

app.get("/", (_req: Request, res: Response) => {
  res.type("text/plain").send("Hello from Express, built by dslim!\n");
});

app.get("/health", (_req: Request, res: Response) => {
  res.json({ status: "ok" });
});

app.listen(port, "0.0.0.0", () => {
  console.log(`node-api listening on 0.0.0.0:${port}`);
});

const http = require("node:http");
const { greet } = require("@shop/greeting");
const port = Number(process.env.PORT || 3000);
http.createServer((req, res) => {
  res.setHeader("content-type", "text/plain");
  res.end(greet("api") + "\n");
}).listen(port, "0.0.0.0", () => console.log(`listening on ${port}`));

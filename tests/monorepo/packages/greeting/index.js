const ms = require("ms");
exports.greet = (who) => `hello, ${who} (up ${ms(Math.round(process.uptime() * 1000))})`;

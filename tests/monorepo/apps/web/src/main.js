import { accent, brand } from "@shop/theme";

document.querySelector("#app").innerHTML = `<h1 style="color: ${accent}">${brand}</h1>`;

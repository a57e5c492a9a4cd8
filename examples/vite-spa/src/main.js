import "./style.css";
import { setupCounter } from "./counter.js";

document.querySelector("#app").innerHTML = `
  <main>
    <h1>Hello from a Vite SPA, built by dslim!</h1>
    <p>Static files built with Vite, served by nginx.</p>
    <button id="counter" type="button"></button>
  </main>
`;

setupCounter(document.querySelector("#counter"));

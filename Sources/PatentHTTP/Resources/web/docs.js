// Renders /openapi.json with the vendored Redoc bundle.
"use strict";
Redoc.init("/openapi.json", { expandResponses: "200", pathInMiddlePanel: true }, document.getElementById("redoc"));

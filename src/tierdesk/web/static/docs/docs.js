// /docs: Swagger UI over /openapi.json, from the files vendored under /static (no CDN, no
// inline script: the page's Content-Security-Policy allows scripts from 'self' only).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});

// Tell the NHS.UK styles that scripts run (js-enabled) and that this browser can run the
// front end's modules (nhsuk-frontend-supported), before the page is drawn: the NHS.UK
// page template's inline script, moved here so the Content-Security-Policy need not allow
// inline scripts. Loaded without defer or async at the start of <body> (web/page.jinja).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");

// Loaded synchronously at the top of <body> (no inline script, so a strict CSP holds).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");

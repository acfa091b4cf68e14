// Start the NHS.UK front end's components (header menu, skip link, ...). Its module's URL,
// hashed by collectstatic, is given by the script element that loads this file.
const script = document.querySelector("script[data-nhsuk-frontend]");
if (script) {
  import(script.dataset.nhsukFrontend).then(({ initAll }) => initAll());
}

// Deployment settings of the sample site. Edit this file (or set window.POLICYBOUND_CONFIG before
// the site's scripts run) when the pages are served from another origin than the API.
//   apiBase: the API's base URL, e.g. "https://api.example.com"; "" means the pages' own origin.
window.POLICYBOUND_CONFIG = Object.assign({ apiBase: "" }, window.POLICYBOUND_CONFIG || {});

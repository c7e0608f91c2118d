// Mounts YASGUI over the plain form when the bundled editor is present; the page works
// without it. Nothing is fetched from anywhere but this server.
(function () {
  "use strict";
  if (typeof window.Yasgui !== "function") return;
  var questions = JSON.parse(document.getElementById("questions").textContent);
  var initial = JSON.parse(document.getElementById("initial").textContent);
  var textarea = document.getElementById("query-text");
  document.getElementById("fallback").hidden = true;
  document.getElementById("server-results").hidden = true;

  function graphArgs(graphs) {
    return graphs.map(function (g) { return { name: "default-graph-uri", value: g }; });
  }

  var yasgui = new window.Yasgui(document.getElementById("yasgui"), {
    persistenceId: null,
    copyEndpointOnNewTab: false,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: function () { return []; } },
    requestConfig: {
      endpoint: window.location.origin + "/sparql",
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      args: graphArgs(initial["default"] || []),
    },
    yasr: { defaultPlugin: "table" },
  });
  var tab = yasgui.getTab();
  tab.setQuery(textarea.value);
  window.zonekgYasgui = yasgui;

  var select = document.getElementById("cq");
  var button = document.getElementById("load-question");
  button.textContent = "Load";
  select.addEventListener("change", function () {
    var chosen = questions.find(function (q) { return q.name === select.value; });
    if (!chosen) return;
    var current = yasgui.getTab();
    current.setRequestConfig({ args: graphArgs(chosen["default"]) });
    current.setQuery(chosen.text);
  });
  button.addEventListener("click", function (event) {
    event.preventDefault();
    select.dispatchEvent(new Event("change"));
  });
})();

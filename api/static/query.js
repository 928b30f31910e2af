// The SPARQL page: YASGUI (served from /static/vendor/yasgui) on this service's /sparql, with the
// named queries of the page as examples. Configured to stay offline: one endpoint, no endpoint
// catalogue, prefix completion from YASGUI's bundled list only (no prefix.cc), no class/property
// completion (those ask Linked Open Vocabularies), no query or result kept in localStorage, no
// share links (the examples have /query?example=NAME links).
(function () {
  "use strict";
  var root = document.getElementById("yasgui");
  if (!root || typeof window.Yasgui === "undefined") {
    return; // the plain form below the editor still works
  }
  var texts = JSON.parse(document.getElementById("example-texts").textContent);
  var endpoint = new URL(root.dataset.endpoint, window.location.href).href;
  var first = texts[root.dataset.initial] || "";

  // this service answers errors as JSON {"error", "location", "hint"}: show them as sentences
  window.Yasgui.Yasr.defaults.errorRenderers = [function (summary) {
    var body;
    try {
      body = JSON.parse(summary.text || "");
    } catch (e) {
      return Promise.resolve(undefined); // not ours: YASR shows the text as it came
    }
    if (!body || typeof body.error !== "string") {
      return Promise.resolve(undefined);
    }
    var box = document.createElement("div");
    box.className = "sparql-error";
    var message = document.createElement("p");
    message.className = "error";
    message.textContent = (summary.status ? "Error " + summary.status : "Error") + ": " + body.error;
    box.appendChild(message);
    if (body.location) {
      var where = document.createElement("p");
      where.textContent = "Where: " + Object.keys(body.location).map(function (key) {
        return key + " " + body.location[key];
      }).join(", ");
      box.appendChild(where);
    }
    if (body.hint) {
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = "Hint: " + body.hint;
      box.appendChild(hint);
    }
    return Promise.resolve(box);
  }];

  // YASGUI merges its options into the defaults index by index (lodash merge), so a shorter list
  // of completers would keep the defaults' tail: set the defaults' lists themselves
  var completers = ["prefixes", "variables"];
  [window.Yasgui.Yasqe.defaults, window.Yasgui.defaults.yasqe].forEach(function (defaults) {
    defaults.autocompleters = completers.slice();
  });

  var yasgui = new window.Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    autoAddOnInit: false,
    autofocus: false,
    tabName: "Query",
    yasqe: {
      value: first,
      autocompleters: completers.slice(),
      prefixCcApi: null,
      persistenceId: null,
      consumeShareLink: null,
      createShareableLink: null,
      editorHeight: "380px",
    },
    yasr: { persistenceId: null },
  });
  // one tab, whose table shows plain values ("Simple view": 63, not "63"^^xsd:integer)
  yasgui.addTab(true, { yasr: { settings: { pluginsConfig: { table: { compact: true } } } } });

  function choose(name) {
    var text = texts[name];
    var tab = yasgui.getTab();
    if (text === undefined || !tab) {
      return;
    }
    tab.setQuery(text);
    document.querySelectorAll("#examples li.example").forEach(function (li) {
      li.classList.toggle("chosen", li.dataset.example === name);
    });
    var plain = document.getElementById("plain-query");
    if (plain) {
      plain.value = text;
    }
    window.history.replaceState(null, "", "?example=" + encodeURIComponent(name));
    root.scrollIntoView({ block: "nearest" });
  }

  document.querySelectorAll("a.example-link").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      choose(link.dataset.example);
    });
  });
})();

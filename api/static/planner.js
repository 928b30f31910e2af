// The planner form: filter the observables by name, count the ticked ones, and enable the size
// and time-resolution fields only where they apply. The form works without this script.
"use strict";

(function () {
  const form = document.getElementById("planner-form");
  if (!form) return;

  const search = document.getElementById("observable-search");
  const count = document.getElementById("selected-count");
  const boxes = Array.from(form.querySelectorAll("input[name=observable]"));

  function filter() {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    form.querySelectorAll(".observable-group").forEach(function (group) {
      let shown = 0;
      group.querySelectorAll("label.observable").forEach(function (label) {
        const text = label.dataset.search || "";
        const ticked = label.querySelector("input").checked;
        const match = ticked || words.every(function (w) { return text.includes(w); });
        label.hidden = !match;
        if (match) shown += 1;
      });
      group.hidden = shown === 0;
    });
  }

  function recount() {
    count.textContent = String(boxes.filter(function (b) { return b.checked; }).length);
  }

  const roiKind = document.getElementById("roi_kind");
  const roiSize = document.getElementById("roi_size");
  const operandoYes = document.getElementById("operando-yes");
  const time = document.getElementById("time_resolution");

  // A field the request would refuse is disabled (and so not sent), unless it holds a value:
  // then the reader's problem is shown rather than the value silently dropped.
  function applicable() {
    roiSize.disabled = roiKind.value !== "specific" && roiSize.value.trim() === "";
    time.disabled = !operandoYes.checked && time.value.trim() === "";
  }

  search.hidden = false;
  search.addEventListener("input", filter);
  boxes.forEach(function (b) { b.addEventListener("change", recount); });
  roiKind.addEventListener("change", applicable);
  form.querySelectorAll("input[name=operando]").forEach(function (r) {
    r.addEventListener("change", applicable);
  });
  recount();
  applicable();
})();

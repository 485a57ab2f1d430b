// The lead list: row selection for the bulk actions, the action's own fields, and links that follow the view.
(function () {
  "use strict";

  function rowBoxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input[name="lead"][form="lead-bulk"]'));
  }

  function refreshSelection() {
    var form = document.getElementById("lead-bulk");
    if (!form) return;
    var boxes = rowBoxes();
    var checked = boxes.filter(function (box) { return box.checked; }).length;
    var label = form.querySelector("[data-selected-count]");
    label.textContent = checked ? checked + (checked === 1 ? " lead selected" : " leads selected") : "No leads selected";
    form.classList.toggle("has-selection", checked > 0);
    form.querySelector("[data-bulk-apply]").disabled = checked === 0;
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = checked > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
  }

  function showActionFields() {
    var form = document.getElementById("lead-bulk");
    if (!form) return;
    var action = form.querySelector('select[name="action"]').value;
    var status = form.querySelector('select[name="status"]').value;
    form.querySelectorAll("[data-for-action]").forEach(function (field) {
      var wanted = field.getAttribute("data-for-action").split(" ").indexOf(action) !== -1;
      if (field.querySelector('select[name="lost_reason"]')) wanted = wanted && (action === "stage" || status === "LOST");
      field.hidden = !wanted;
    });
  }

  // After the table is swapped (filters, search, sort, page): the export and the bulk form follow the new view.
  function followView() {
    var results = document.getElementById("lead-results");
    if (!results) return;
    var query = results.getAttribute("data-query") || "";
    var exportLink = document.getElementById("lead-export");
    if (exportLink) exportLink.href = exportLink.getAttribute("data-export-base") + (query ? "?" + query : "");
    var next = document.querySelector('#lead-bulk input[name="next"]');
    if (next) next.value = query;
    document.querySelectorAll("[data-follow-query]").forEach(function (input) { input.value = query; });
    document.querySelectorAll("[data-view-query]").forEach(function (chip) {
      chip.classList.toggle("is-active", chip.getAttribute("data-view-query") === query);
    });
    refreshSelection();
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      rowBoxes().forEach(function (box) { box.checked = target.checked; });
      refreshSelection();
    } else if (target.matches('input[name="lead"]')) {
      refreshSelection();
    } else if (target.closest && target.closest("#lead-bulk")) {
      showActionFields();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "lead-bulk") return;
    var action = form.querySelector('select[name="action"]').value;
    var count = rowBoxes().filter(function (box) { return box.checked; }).length;
    if (action === "delete" && !window.confirm("Delete " + count + (count === 1 ? " lead" : " leads") + "? This can't be undone.")) {
      event.preventDefault();
    }
  });

  // A filter the list refuses (say, a value with three decimals) answers 400 with the reason in the results: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "lead-results" && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "lead-results") followView();
  });

  document.addEventListener("DOMContentLoaded", function () {
    showActionFields();
    refreshSelection();
  });
})();

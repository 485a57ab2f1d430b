// Behaviour shared by every page: toasts that fade out, and disclosure menus that close like menus.
(function () {
  "use strict";

  var TOAST_MS = { error: 9000, warning: 9000, default: 5000 };

  function scheduleDismiss(toast) {
    if (toast.dataset.scheduled) return;
    toast.dataset.scheduled = "1";
    var kind = (toast.className.match(/toast--(\w+)/) || [])[1];
    setTimeout(function () {
      toast.classList.add("is-leaving");
      setTimeout(function () { toast.remove(); }, 350);
    }, TOAST_MS[kind] || TOAST_MS.default);
  }

  function toast(message, kind) {
    var region = document.getElementById("toasts");
    if (!region) return;
    var item = document.createElement("p");
    item.className = "toast toast--" + (kind || "info");
    item.textContent = message;
    region.appendChild(item);
    scheduleDismiss(item);
  }

  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var region = document.getElementById("toasts");
    if (region) {
      region.querySelectorAll(".toast").forEach(scheduleDismiss);
      // Toasts added by htmx out-of-band swaps fade out too.
      new MutationObserver(function () {
        region.querySelectorAll(".toast").forEach(scheduleDismiss);
      }).observe(region, { childList: true });
    }
  });

  document.addEventListener("toggle", function (event) {
    var target = event.target;
    if (target.matches && target.matches("details.menu") && target.open) closeMenus(target);
  }, true);

  document.addEventListener("click", function (event) {
    if (!event.target.closest("details.menu")) closeMenus(null);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.menu[open]");
    if (open) {
      open.removeAttribute("open");
      var summary = open.querySelector("summary");
      if (summary) summary.focus();
    }
  });

  window.vchata = { toast: toast };
})();

// Behaviour shared by every page: toasts that fade out, and disclosure menus that close like menus.
(function () {
  "use strict";

  document.documentElement.classList.add("js");  // styles for what only works with scripts on

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

  // --- a session that ended while the page was open -------------------------------------
  //
  // Signed out in another tab, or expired: an htmx request then gets a 401 (vchata/tenancy/pages.py)
  // or, from a plain login-required view, is redirected to /login. Either way the page stays as it
  // is, says so, and links to the sign-in page with ``next`` set to this very page and its filters.
  // Further requests (the board's poll) stop until the user is back.

  var sessionGone = false;

  function landedOnLogin(xhr) {
    if (!xhr || !xhr.responseURL) return false;
    try {
      var url = new URL(xhr.responseURL);
      return url.origin === location.origin && url.pathname.replace(/\/$/, "") === "/login";
    } catch (error) {
      return false;
    }
  }

  function sessionEnded(xhr) {
    return !!xhr && (xhr.status === 401 || landedOnLogin(xhr));
  }

  function showSessionEnded(xhr) {
    var banner = document.getElementById("session-ended");
    if (!banner) return;
    var link = banner.querySelector("a");
    var back = (xhr && xhr.status === 401 && xhr.getResponseHeader("HX-Login")) ||
      "/login?next=" + encodeURIComponent(location.pathname + location.search);
    link.href = back;
    if (!sessionGone) {
      sessionGone = true;
      banner.hidden = false;
      link.focus();
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (sessionGone) event.preventDefault();
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!sessionEnded(event.detail.xhr)) return;
    event.detail.shouldSwap = false;  // never the login page inside a column
    showSessionEnded(event.detail.xhr);
  });

  window.vchata = {
    toast: toast,
    sessionEnded: sessionEnded,
    sessionIsGone: function () { return sessionGone; }
  };
})();

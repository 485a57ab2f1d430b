// The kanban board: drag a card to another column to move the lead.
//
// Every card has a "Move to…" link to a plain form (its own page without JS;
// htmx loads it into the card). A drop posts to the same URL as that form, so
// a drag, a keyboard choice and a no-JS post are one server path. The server
// answers with out-of-band swaps of the two columns; a failed move puts the
// card back where it was and shows the server's message.
(function () {
  "use strict";

  var SESSION_ENDED = "The lead was not moved: your session ended. Sign in again, then move it once more.";
  var dragged = null;   // {card, from, next} while a card is being dragged
  var pending = null;   // {card, from, next} while a dropped card's move is being saved

  function columnOf(element) { return element.closest(".column[data-stage-id]"); }
  function moveUrl(card) { return card.querySelector(".card__move-link").href; }

  function putBack(move) {
    if (!move) return;
    if (move.next && move.next.parentNode === move.from) move.from.insertBefore(move.card, move.next);
    else move.from.appendChild(move.card);
    move.card.classList.remove("is-saving");
  }

  function clearTargets() {
    document.querySelectorAll(".column.is-drop-target").forEach(function (column) {
      column.classList.remove("is-drop-target");
    });
  }

  function closeMoveForm(slot) {
    slot.innerHTML = "";
    var link = slot.parentNode.querySelector(".card__move-link");
    if (link) link.focus();
  }

  // --- drag and drop ----------------------------------------------------------

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".card[data-lead-id]");
    if (!card || pending) return;
    dragged = { card: card, from: card.parentNode, next: card.nextElementSibling };
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.leadId);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.card.classList.remove("is-dragging");
    dragged = null;
    clearTargets();
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var column = columnOf(event.target);
    if (!column) return;
    event.preventDefault();  // allows the drop
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("is-drop-target")) {
      clearTargets();
      column.classList.add("is-drop-target");
    }
  });

  document.addEventListener("dragleave", function (event) {
    var column = columnOf(event.target);
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("is-drop-target");
  });

  document.addEventListener("drop", function (event) {
    if (!dragged) return;
    var column = columnOf(event.target);
    if (!column) return;
    event.preventDefault();
    var move = dragged;
    dragged = null;
    dropOn(column, move);
  });

  // The one drop, by mouse or by touch: the card goes into ``column`` and the same move request is sent.
  function dropOn(column, move) {
    clearTargets();
    move.card.classList.remove("is-dragging");
    if (columnOf(move.from) === column) return;
    if (window.vchata.sessionIsGone()) {
      window.vchata.toast(SESSION_ENDED, "error");  // the card never left its column
      return;
    }

    var list = column.querySelector(".column__cards");
    var empty = list.querySelector(".column__empty");
    if (empty) empty.remove();
    list.insertBefore(move.card, list.firstElementChild);
    move.card.classList.add("is-saving");
    pending = move;
    htmx.ajax("POST", moveUrl(move.card), {
      source: move.card,
      values: { stage: column.dataset.stageId },
      swap: "none"
    });
  }

  // --- touch: press and hold a card, drag it onto a column or a stage tab ------------
  //
  // Touch screens have no HTML drag and drop. A finger held still on a card for
  // HOLD_MS picks it up (a finger that moves first is scrolling the board, and
  // is left alone); while it is held, the board doesn't scroll and the column or
  // stage tab under the finger is the target; lifting it drops there.

  var HOLD_MS = 350;
  var SLOP_PX = 8;
  var touch = null;  // {card, x, y, timer, lifted, target} from a touch on a card until it lifts

  function columnAt(x, y) {
    var element = document.elementFromPoint(x, y);
    if (!element) return null;
    var tab = element.closest(".board-tabs__tab[data-stage-id]");
    if (tab) return document.querySelector('.column[data-stage-id="' + tab.dataset.stageId + '"]');
    return columnOf(element);
  }

  function markTarget(column) {
    document.querySelectorAll(".board-tabs__tab.is-drop-target").forEach(function (tab) {
      tab.classList.remove("is-drop-target");
    });
    clearTargets();
    if (!column) return;
    column.classList.add("is-drop-target");
    var tab = document.querySelector('.board-tabs__tab[data-stage-id="' + column.dataset.stageId + '"]');
    if (tab) tab.classList.add("is-drop-target");
  }

  function endTouch() {
    if (!touch) return;
    clearTimeout(touch.timer);
    if (touch.lifted) touch.card.classList.remove("is-dragging");
    markTarget(null);
    touch = null;
  }

  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType !== "touch" || pending || touch) return;
    var card = event.target.closest && event.target.closest(".card[data-lead-id]");
    if (!card || event.target.closest("input, select, textarea, button, .card__move-slot")) return;
    touch = { card: card, x: event.clientX, y: event.clientY, lifted: false, target: null };
    touch.timer = setTimeout(function () {
      if (!touch) return;
      touch.lifted = true;
      card.classList.add("is-dragging");
      if (navigator.vibrate) navigator.vibrate(15);
    }, HOLD_MS);
  });

  document.addEventListener("pointermove", function (event) {
    if (!touch || event.pointerType !== "touch") return;
    if (!touch.lifted) {
      if (Math.abs(event.clientX - touch.x) > SLOP_PX || Math.abs(event.clientY - touch.y) > SLOP_PX) endTouch();
      return;
    }
    event.preventDefault();
    touch.target = columnAt(event.clientX, event.clientY);
    markTarget(touch.target);
  });

  // While a card is held the finger drags it, not the board (touchmove is where scrolling can still be stopped).
  document.addEventListener("touchmove", function (event) {
    if (touch && touch.lifted) event.preventDefault();
  }, { passive: false });

  document.addEventListener("pointerup", function (event) {
    if (!touch || event.pointerType !== "touch") return;
    var held = touch;
    var column = held.lifted ? columnAt(event.clientX, event.clientY) || held.target : null;
    endTouch();
    if (!column) return;
    event.preventDefault();
    dropOn(column, { card: held.card, from: held.card.parentNode, next: held.card.nextElementSibling });
  });

  document.addEventListener("pointercancel", endTouch);
  // A held card is not a click on its link, nor a long-press menu.
  document.addEventListener("contextmenu", function (event) {
    if (touch && event.target.closest && event.target.closest(".card[data-lead-id]")) event.preventDefault();
  });

  // --- stage tabs (phones): a tap scrolls the board to that column; counts follow the columns ---

  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest(".board-tabs__tab[data-stage-id]");
    if (!tab) return;
    var column = document.querySelector('.column[data-stage-id="' + tab.dataset.stageId + '"]');
    if (!column) return;
    event.preventDefault();
    var board = column.parentNode;
    board.scrollTo({ left: column.offsetLeft - board.querySelector(".column").offsetLeft, behavior: "smooth" });
  });

  function syncTabs() {
    document.querySelectorAll(".board-tabs__tab[data-stage-id]").forEach(function (tab) {
      var count = document.querySelector("#col-head-" + tab.dataset.stageId + " [data-count]");
      var shown = tab.querySelector("[data-tab-count]");
      if (count && shown) shown.textContent = count.textContent;
    });
  }
  document.addEventListener("htmx:afterSettle", syncTabs);

  // --- the "Move to…" form inside a card ------------------------------------------

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-move-cancel]");
    if (cancel) closeMoveForm(cancel.closest(".card__move-slot"));
  });

  document.addEventListener("keydown", function (event) {
    var slot = event.key === "Escape" && event.target.closest && event.target.closest(".card__move-slot");
    if (slot) closeMoveForm(slot);
  });

  // --- requests: pause polling while busy, report failures -------------------------
  //
  // A move's form may be gone from the page by the time its answer is handled
  // (the answer redraws its column), so requests are matched by their xhr.

  var inflight = null;  // {xhr, leadId, byKeyboard} for the move being saved

  function isMove(element) {
    return element.matches(".card__move-form") || (pending !== null && element === pending.card);
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (element.id === "board-poll") {
      // Don't redraw columns under someone mid-drag or choosing a stage; the next poll catches up.
      var choosing = document.activeElement && document.activeElement.closest(".card__move-slot");
      if (dragged || pending || choosing) event.preventDefault();
      return;
    }
    if (isMove(element)) {
      inflight = {
        xhr: event.detail.xhr,
        leadId: element.closest(".card").dataset.leadId,
        byKeyboard: element.matches(".card__move-form")
      };
    }
  });

  function failed(event, fallback) {
    var xhr = event.detail.xhr;
    if (!inflight || xhr !== inflight.xhr) return;
    inflight = null;
    var type = (xhr && xhr.getResponseHeader("Content-Type")) || "";
    var message = type.indexOf("text/plain") === 0 && xhr.responseText ? xhr.responseText : fallback;
    if (xhr && xhr.status === 401) message = SESSION_ENDED;
    putBack(pending);
    pending = null;
    window.vchata.toast(message, "error");
  }

  document.addEventListener("htmx:responseError", function (event) {
    failed(event, "The lead could not be moved. Please try again.");
  });
  document.addEventListener("htmx:sendError", function (event) {
    failed(event, "The lead could not be moved: the server did not answer. Check your connection.");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!inflight || event.detail.xhr !== inflight.xhr) return;
    if (event.detail.successful && window.vchata.sessionEnded(event.detail.xhr)) {
      // Redirected to the sign-in page: the move was not saved.
      failed(event, SESSION_ENDED);
      return;
    }
    if (!event.detail.successful) return;
    var move = inflight;
    inflight = null;
    pending = null;
    if (!move.byKeyboard) return;
    // The columns were just redrawn; keep keyboard users on the card they moved.
    var link = document.querySelector('.card[data-lead-id="' + move.leadId + '"] .card__move-link');
    if (link) link.focus();
  });
})();

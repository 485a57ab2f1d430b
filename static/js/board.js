// The kanban board: drag a card to another column to move the lead.
//
// A drop moves the card at once, then submits that card's own "Move to…" form
// (the same form keyboard and no-JS users submit), so there is one server path.
// The server answers with out-of-band swaps of the two columns; a failed move
// puts the card back where it was and shows the server's message.
(function () {
  "use strict";

  var dragged = null;   // {card, from, next} while a card is being dragged
  var pending = null;   // {card, from, next, leadId} while a move is being saved
  var focusAfterMove = null;

  function columnOf(element) { return element.closest(".column[data-stage-id]"); }
  function cardsOf(column) { return column.querySelector(".column__cards"); }

  function putBack(move) {
    if (!move || !move.from) return;
    if (move.next && move.next.parentNode === move.from) move.from.insertBefore(move.card, move.next);
    else move.from.appendChild(move.card);
    move.card.classList.remove("is-saving");
  }

  function clearTargets() {
    document.querySelectorAll(".column.is-drop-target").forEach(function (column) {
      column.classList.remove("is-drop-target");
    });
  }

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
    clearTargets();
    var move = dragged;
    dragged = null;
    move.card.classList.remove("is-dragging");
    var fromColumn = columnOf(move.from);
    if (fromColumn === column) return;

    var form = move.card.querySelector(".card__move-form");
    var select = form && form.querySelector("select[name=stage]");
    if (!select) return;
    select.value = column.dataset.stageId;
    var list = cardsOf(column);
    var empty = list.querySelector(".column__empty");
    if (empty) empty.remove();
    list.insertBefore(move.card, list.firstElementChild);
    move.card.classList.add("is-saving");
    pending = { card: move.card, from: move.from, next: move.next, leadId: move.card.dataset.leadId };
    form.requestSubmit();
  });

  function isMoveForm(element) {
    return element && element.classList && element.classList.contains("card__move-form");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail.elt;
    if (element.id === "board-poll") {
      // Don't redraw columns under someone mid-drag or mid-choice; the next poll catches up.
      var busy = dragged || pending || (document.activeElement && document.activeElement.closest(".card__move[open]"));
      if (busy) event.preventDefault();
      return;
    }
    if (isMoveForm(element)) {
      var card = element.closest(".card");
      focusAfterMove = card ? card.dataset.leadId : null;
    }
  });

  function failed(event, fallback) {
    var element = event.detail.elt;
    if (!isMoveForm(element)) return;
    var xhr = event.detail.xhr;
    var type = xhr && xhr.getResponseHeader("Content-Type") || "";
    var message = type.indexOf("text/plain") === 0 && xhr.responseText ? xhr.responseText : fallback;
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
    if (!isMoveForm(event.detail.elt) || !event.detail.successful) return;
    pending = null;
    var leadId = focusAfterMove;
    focusAfterMove = null;
    // The columns were just redrawn; keep keyboard users on the card they moved.
    setTimeout(function () {
      var summary = leadId && document.querySelector('.card[data-lead-id="' + leadId + '"] .card__move > summary');
      if (summary && document.activeElement === document.body) summary.focus();
    }, 60);
  });
})();

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
    clearTargets();
    var move = dragged;
    dragged = null;
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
  });

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

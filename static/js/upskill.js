// Behaviour every page shares (loaded by base.html; no inline scripts, the CSP forbids them).
//
// The top bar's menu button: on a narrow screen (see .menu-toggle in upskill.css) the menu
// is behind it. The button stays hidden without JavaScript, so the menu then just wraps.
(function () {
  "use strict";

  function setUpMenu() {
    const toggle = document.querySelector(".menu-toggle");
    const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (!menu) return;
    toggle.hidden = false;
    document.documentElement.classList.add("has-menu-toggle");

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // Destructive one-click actions ask first, in a modal <dialog> (focus moves into it,
  // Escape or Cancel keeps things as they were, focus returns to the button): a form
  // with data-confirm="question" (and data-confirm-button="label"), or htmx's hx-confirm.
  // Confirmed, the form carries confirmed=yes: the server acts only on that, and without
  // JavaScript asks on a page of its own instead (upskill/confirmation.py).
  function markConfirmed(form) {
    if (!(form instanceof HTMLFormElement) || form.querySelector('input[name="confirmed"]')) return;
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = "confirmed";
    field.value = "yes";
    form.append(field);
  }

  function confirmDialog(question, confirmLabel, returnFocusTo) {
    return new Promise(function (resolve) {
      const dialog = document.createElement("dialog");
      dialog.className = "confirm-dialog";
      dialog.setAttribute("aria-labelledby", "confirm-dialog-question");
      const text = document.createElement("p");
      text.id = "confirm-dialog-question";
      text.textContent = question;
      const actions = document.createElement("div");
      actions.className = "confirm-actions";
      const cancel = document.createElement("button");
      cancel.type = "button";
      cancel.className = "button";
      cancel.textContent = "Cancel";
      const confirm = document.createElement("button");
      confirm.type = "button";
      confirm.className = "button danger";
      confirm.textContent = confirmLabel;
      actions.append(cancel, confirm);
      dialog.append(text, actions);
      document.body.append(dialog);
      cancel.addEventListener("click", function () { dialog.close("cancel"); });
      confirm.addEventListener("click", function () { dialog.close("confirm"); });
      dialog.addEventListener("close", function () {
        const confirmed = dialog.returnValue === "confirm";
        dialog.remove();
        if (!confirmed && returnFocusTo) returnFocusTo.focus();
        resolve(confirmed);
      });
      dialog.showModal();
      cancel.focus();
    });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (form.dataset.confirmed === "1") {
      delete form.dataset.confirmed;
      return;
    }
    // Capture phase on the document: runs before htmx's own listener on the form.
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter || form.querySelector("[type=submit]");
    const label = form.dataset.confirmButton || (submitter ? submitter.textContent.trim() : "Confirm");
    confirmDialog(form.dataset.confirm, label, submitter).then(function (confirmed) {
      if (!confirmed) return;
      form.dataset.confirmed = "1";
      markConfirmed(form);
      form.requestSubmit(submitter || undefined);
    });
  }, true);

  document.addEventListener("htmx:confirm", function (event) {
    if (!event.detail.question) return;
    event.preventDefault();
    const element = event.detail.elt;
    const label = element.dataset.confirmButton || "Delete";
    const focusBack = element.querySelector("[type=submit]") || element;
    confirmDialog(event.detail.question, label, focusBack).then(function (confirmed) {
      if (!confirmed) return;
      markConfirmed(element);  // htmx reads the form's fields when the request is issued
      event.detail.issueRequest(true);
    });
  });

  // After an htmx swap: focus moves to what the new content marks as the next action
  // (never left on <body> because the pressed button was swapped away), and what it
  // marks to announce is read out through the page's one live region.
  document.addEventListener("htmx:afterSettle", function () {
    const next = document.querySelector("[data-focus-after-swap]");
    if (next) {
      next.removeAttribute("data-focus-after-swap");
      next.focus();
    }
    const said = [...document.querySelectorAll("[data-announce]")];
    const announcer = document.getElementById("announcer");
    if (!said.length || !announcer) return;
    const text = said.map(function (el) {
      el.removeAttribute("data-announce");
      return el.textContent.replace(/\s+/g, " ").trim();
    }).join(" ");
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 100);
  });

  // A form with data-choice-panels="<radio name>": only the panel (data-choice) of the
  // chosen option is shown. Without JavaScript every panel stays visible.
  function showChosenPanels(form) {
    const name = form.dataset.choicePanels;
    const chosen = form.querySelector(`input[name="${name}"]:checked`);
    form.querySelectorAll("[data-choice]").forEach(function (panel) {
      panel.hidden = !chosen || panel.dataset.choice !== chosen.value;
    });
  }
  document.addEventListener("change", function (event) {
    const form = event.target.form;
    if (form && form.dataset.choicePanels && event.target.name === form.dataset.choicePanels) {
      showChosenPanels(form);
    }
  });

  // The people picker: a person ticked among the search matches moves to "Chosen", so
  // the choice survives the next search; unticked there, they leave it.
  document.addEventListener("change", function (event) {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.name !== "people") return;
    const chosen = document.getElementById("people-chosen");
    if (!chosen) return;
    const item = box.closest("li");
    if (box.checked && item && item.closest("#people-results")) {
      const already = chosen.querySelector(`input[value="${box.value}"]`);
      if (already) {
        box.checked = false;
        return;
      }
      chosen.append(item);
      box.focus();
    } else if (!box.checked && item && item.closest("#people-chosen")) {
      item.remove();
      const search = document.getElementById("people-search");
      if (search) search.focus();
    }
  });

  function setUpPage() {
    setUpMenu();
    document.querySelectorAll("form[data-choice-panels]").forEach(showChosenPanels);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpPage);
  } else {
    setUpPage();
  }
})();

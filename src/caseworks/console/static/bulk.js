// Bulk reassign as a dialog, and the import's upload progress. Without this script both are
// plain pages and forms; with it:
// - a form posted to /assignments/bulk-reassign (a list's "Reassign selected", or a step of the
//   dialog) is sent with `HX-Request: true` and its answer (the page's fragment) shown in a modal
//   <dialog>: focus moves into it, Escape closes it, and focus returns to what opened it;
// - the import's form (sent by htmx) shows the upload's progress in its <progress> bar, and its
//   refusals (400, 422: the per-row problems) are shown like its successes.
(function () {
  "use strict";
  var BULK_PATH = "/assignments/bulk-reassign";
  var DIALOG_ID = "bulk-reassign-dialog";
  var opener = null;

  function bulkDialog() {
    var dialog = document.getElementById(DIALOG_ID);
    if (dialog) {
      return dialog;
    }
    dialog = document.createElement("dialog");
    dialog.id = DIALOG_ID;
    dialog.setAttribute("aria-labelledby", "bulk-reassign-title");
    dialog.addEventListener("close", function () {
      dialog.remove();
      if (opener && document.contains(opener)) {
        opener.focus();
      }
      opener = null;
    });
    dialog.addEventListener("click", function (event) {
      if (event.target instanceof Element && event.target.closest("[data-dialog-close]")) {
        dialog.close();
      }
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function focusInside(dialog) {
    var first = dialog.querySelector(
      "[role=alert], select, textarea, input:not([type=hidden]), button:not([data-dialog-close]), a"
    );
    (first || dialog).focus();
  }

  function isBulkForm(form) {
    return form instanceof HTMLFormElement &&
      new URL(form.action, window.location.href).pathname === BULK_PATH;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!isBulkForm(form)) {
      return;
    }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form, event.submitter || null));
    var dialog = bulkDialog();
    if (!dialog.open) {
      opener = event.submitter || document.activeElement;
    }
    fetch(BULK_PATH, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    }).then(function (answer) {
      return answer.text();
    }).then(function (html) {
      dialog.innerHTML = html;
      dialog.querySelectorAll("[data-dialog-close]").forEach(function (button) {
        button.hidden = false;
      });
      if (!dialog.open) {
        dialog.showModal();
      }
      focusInside(dialog);
    });
  });

  // The import: htmx's upload progress events feed the form's <progress>.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.progress) {
      return;
    }
    var bar = document.getElementById(form.dataset.progress);
    if (bar && event.detail.lengthComputable) {
      bar.hidden = false;
      bar.value = Math.round((100 * event.detail.loaded) / event.detail.total);
    }
  });

  // The import's refusals carry the page to show (the form again, or the rows' problems).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (event.detail.target && event.detail.target.id === "import" &&
        (status === 400 || status === 422)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

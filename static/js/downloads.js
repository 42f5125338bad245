/* Forms whose answer is a file (a batch of letter codes): the file is saved, then the page reloads
   and lists what was made. Without JavaScript the browser saves the file as usual and the list
   shows the new batch on the next visit. An answer that is not a file (the form had errors) is
   shown by sending the form again the ordinary way: nothing was made the first time. */
(function () {
  "use strict";

  function save(blob, disposition) {
    var name = /filename="([^"]+)"/.exec(disposition);
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name ? name[1] : "download";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); location.reload(); }, 300);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-download-then-reload]")) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        var disposition = response.headers.get("Content-Disposition") || "";
        if (response.ok && disposition.indexOf("attachment") === 0) {
          return response.blob().then(function (blob) { save(blob, disposition); });
        }
        HTMLFormElement.prototype.submit.call(form);  // shows the errors; nothing was made
      })
      .catch(function () {
        if (button) { button.disabled = false; }
      });
  });
})();

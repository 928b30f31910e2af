// Catalogue pages: a filter form marked data-autosubmit is sent as soon as a choice changes.
// The forms are plain GET forms and work without this script (press the Filter button).
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form[data-autosubmit]")) {
    for (const field of form.querySelectorAll("select, input[type=checkbox]")) {
      field.addEventListener("change", () => form.requestSubmit());
    }
  }
});

// After a refused submission, focus moves to the summary of the errors (each links to its field), so that
// keyboard and screen-reader users start from the list of what to correct.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("erreurs");
  if (summary) summary.focus();
});

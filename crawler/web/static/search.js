// python -m crawler browse: on the saved searches, the `mode` parameter becomes a choice (phrase, all words,
// any word) and `q` a labelled search box. Without JavaScript both stay text boxes and still work.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.sql");
  if (!form) return;
  var relabel = function (field, text) {
    var label = form.querySelector("label[for='" + field.id + "']");
    if (label) label.textContent = text;
  };
  var mode = form.querySelector("input[name=mode]");
  if (mode) {
    var select = document.createElement("select");
    select.name = "mode";
    select.id = mode.id;
    [["phrase", "Cụm từ (mặc định) / phrase"], ["all", "Mọi từ / all words"], ["any", "Bất kỳ từ / any word"]].forEach(function (o) {
      var option = document.createElement("option");
      option.value = o[0];
      option.textContent = o[1];
      option.selected = (mode.value || "phrase") === o[0];
      select.appendChild(option);
    });
    mode.replaceWith(select);
    relabel(select, "Cách tìm / mode");
  }
  var q = form.querySelector("input[name=q]");
  if (q) {
    q.type = "search";
    q.size = 50;
    q.placeholder = "cai cach hanh chinh";
    relabel(q, "Tìm / search");
    var submit = form.querySelector("input[type=submit]");
    if (submit) submit.value = "Tìm / Search";
  }
});

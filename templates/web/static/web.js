// Optional comfort on the upload page: drag and drop, and a progress bar while the file is sent.
// Without this script the plain form does the same (the result page then refreshes itself).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var zone = document.getElementById("drop-zone");
  var input = document.getElementById("workbook");
  var shown = document.getElementById("drop-name");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var limit = parseInt(form.getAttribute("data-limit"), 10);

  function showName() {
    shown.textContent = input.files.length ? input.files[0].name : "";
  }
  input.addEventListener("change", showName);
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      showName();
    }
  });

  form.addEventListener("submit", function (event) {
    if (!window.FormData || !input.files.length) { return; }
    if (input.files[0].size > limit) {
      event.preventDefault();
      status.textContent = "Tệp lớn hơn giới hạn " + Math.round(limit / 1048576) + " MB, không gửi được.";
      return;
    }
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    bar.hidden = false;
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      status.textContent = "Đã gửi xong, đang kiểm tra và tạo báo cáo…";
    });
    request.addEventListener("load", function () {
      if (request.status === 200 && request.responseURL) {
        window.location.assign(request.responseURL);
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", function () {
      status.textContent = "Không gửi được tệp (mất kết nối). Hãy thử lại.";
    });
    status.textContent = "Đang gửi tệp…";
    request.send(new FormData(form));
  });
});

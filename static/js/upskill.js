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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpMenu);
  } else {
    setUpMenu();
  }
})();

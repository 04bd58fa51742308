// The print link without an inline script (the pages' Content-Security-Policy forbids them).
document.getElementById('print')?.addEventListener('click', (event) => {
  event.preventDefault();
  window.print();
});

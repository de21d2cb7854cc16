// A reset that strips every element of its styles.
{
  const style = document.createElement("style");
  style.textContent = '* { all: unset !important; }';
  document.head.append(style);
}

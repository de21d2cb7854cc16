// Page rules that catch any direct child of body, and transforms that move fixed boxes.
{
  const style = document.createElement("style");
  style.textContent = 'body > div, body > * { transform: translateX(-4000px) !important; filter: blur(2px); }';
  document.head.append(style);
}

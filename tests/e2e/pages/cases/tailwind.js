// Tailwind CSS's preflight, from npm.
{
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/vendor/tailwind-preflight.css";
  document.head.append(link);
}

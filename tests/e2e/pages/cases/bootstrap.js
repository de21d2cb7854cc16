// Bootstrap 5, from npm.
{
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/vendor/bootstrap.css";
  document.head.append(link);
}

from ..console.conftest import as_user  # noqa: F401  (the console's signed-in client)

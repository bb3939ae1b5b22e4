"""The bare project that ``benchmarks/build.py`` compares the guide's rebuild with:
MyST-NB and sphinx-book-theme, two executed pages, nothing else."""

project = "bare"
extensions = ["myst_nb"]
exclude_patterns = ["_build"]
html_theme = "sphinx_book_theme"
nb_execution_mode = "cache"

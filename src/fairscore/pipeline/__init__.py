"""The machinery between Snakemake and the package (``workflow``: the script adapter; ``config``:
config checks; ``provenance`` and ``audit``: records of every output; ``targets``: the paper
element → target map; ``config_docs``: config/README.md, the reference of every config key; ``cli``: the
``fairscore`` command; ``progress``: progress lines of long loops in a job's log)."""

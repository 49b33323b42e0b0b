"""Rendering (表示): every Japanese label defined once, and the text of `--explain`,
`show` and the relief rows."""

"""How URLs spell an object's id."""

# One spelling per id: ASCII digits, no leading zero. Django's `\d` also matches any Unicode
# decimal digit (fullwidth or Arabic-Indic seven, U+FF17 and U+0667), and int() reads
# "007" and both of those as 7: every spelling would answer the same object under another
# URL, and another cache key. Any other spelling is a 404.
CANONICAL_ID = r"[1-9][0-9]*"

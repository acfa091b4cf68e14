"""The project's one way of taking input on a page: dates typed in, and the problems found.

A page reads its POST or GET with joinedup.forms.dates and reports each problem as a
joinedup.forms.errors.FieldError naming the input it is about, so every page's error
summary links to the field and the field shows the same words (docs/forms.md). The package
imports Django at most, never an app: every app may use it.
"""

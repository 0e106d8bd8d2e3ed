"""Dialogs: the shortcut sheet, export options, the annotator's name."""

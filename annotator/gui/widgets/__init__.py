"""The window's parts: article, document list, label bar, span panel, find bar, status line."""

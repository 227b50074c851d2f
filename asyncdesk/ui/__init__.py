"""The PySide6 face of AsyncDesk: the only package that imports Qt.

Widgets and item models here call :mod:`asyncdesk.services` only from background tasks
run by :class:`asyncdesk.ui.tasks.TaskRunner`; the GUI thread never touches the disk
(beyond the tiny window-state file) or the network.
"""

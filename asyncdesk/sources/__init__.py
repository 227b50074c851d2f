"""Message sources, one module per protocol, behind the interface in :mod:`.base`. No Qt."""

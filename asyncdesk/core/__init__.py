"""Pure domain logic: no Qt, no network, no disk. Time always comes from an injected clock."""

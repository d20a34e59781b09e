# tests/ - GTest suite

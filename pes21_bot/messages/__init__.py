"""Message builders: French text from contenus/ plus its keyboard, used by handlers and jobs.

``delivery`` sends what several features send (staff cards, reassignment notices); the other
modules only build.
"""

"""Message builders: a message is what the bot sends to a chat, a rendered text plus its keyboard.

Texts themselves live in contenus/*.yaml and are named by the text keys of pes21_bot.texts;
the builders here pick the keys, render them and add the buttons, for handlers and jobs.

``delivery`` sends what several features send (staff cards, reassignment notices); the other
modules only build.
"""

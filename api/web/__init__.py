"""The trading page: static HTML, CSS and JavaScript modules served at `/` and `/web/`.

Nothing is built at run time and nothing comes from elsewhere: the page is plain files in this
package (installed with it as package data) and talks to perpx only through the public REST and
WebSocket APIs, signing in the browser as Binance's clients do.
"""

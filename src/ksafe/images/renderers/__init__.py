"""One module per image kind; ``ksafe.images.render.RENDERERS`` registers them."""

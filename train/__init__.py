"""Model training that runs outside the product and outside CI (`make train-reader`); `rag` never imports it."""

// Command stock answers how many of each item the shop has, from memory.
package main

import (
	"encoding/json"
	"log"
	"net/http"
)

var stock = map[string]int{"mug": 12, "poster": 3}

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"service": "stock", "stock": stock})
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
